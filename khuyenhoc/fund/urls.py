from django.urls import path

from . import views

app_name = "fund"
urlpatterns = [
    path("nodes/<int:node_id>/", views.node_funds, name="node"),
    path("nodes/<int:node_id>/new/", views.fund_create, name="fund_create"),
    path("nodes/<int:node_id>/approve/", views.node_approve, name="node_approve"),
    path("nodes/<int:node_id>/totals/", views.node_totals, name="node_totals"),
    path("funds/<int:fund_id>/", views.fund_detail, name="fund"),
    path("funds/<int:fund_id>/receipts/new/", views.receipt_create, name="receipt_create"),
    path("funds/<int:fund_id>/payments/new/", views.payment_create, name="payment_create"),
    path("funds/<int:fund_id>/transfers/new/", views.transfer_create, name="transfer_create"),
    path("funds/<int:fund_id>/book/", views.fund_book, name="book"),
    path("funds/<int:fund_id>/statement/", views.fund_statement, name="statement"),
    path("funds/<int:fund_id>/verify/", views.fund_verify, name="verify"),
    path("funds/<int:fund_id>/disclose/", views.disclosure_create, name="disclose"),
    path("funds/<int:fund_id>/bank-import/", views.bank_import, name="bank_import"),
    path("vouchers/<int:voucher_id>/", views.voucher_detail, name="voucher"),
    path("vouchers/<int:voucher_id>/approve/", views.voucher_approve, name="voucher_approve"),
    path("vouchers/<int:voucher_id>/reject/", views.voucher_reject, name="voucher_reject"),
    path("vouchers/<int:voucher_id>/reverse/", views.voucher_reverse, name="voucher_reverse"),
    path("vouchers/<int:voucher_id>/pdf/", views.voucher_pdf, name="voucher_pdf"),
]
